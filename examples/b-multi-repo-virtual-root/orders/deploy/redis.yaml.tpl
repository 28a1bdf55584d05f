apiVersion: v1
kind: Service
metadata:
  name: redis
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: redis
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: redis
  ports:
    - name: redis
      port: 6379
      targetPort: redis
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: redis
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app.kubernetes.io/name: redis
  template:
    metadata:
      labels:
        app.kubernetes.io/name: redis
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: redis
          image: {{ default (index .Vars "SHOP_REDIS_IMAGE") "redis:7.4-alpine" }}
          imagePullPolicy: IfNotPresent
          args: ["--appendonly", "yes"]
          ports:
            - name: redis
              containerPort: 6379
          readinessProbe:
            tcpSocket:
              port: redis
            periodSeconds: 5
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          emptyDir: {}
