apiVersion: v1
kind: Service
metadata:
  name: routing-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: routing-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: routing-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: routing-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: routing-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  # One replica: the road-graph cache volume is ReadWriteOnce.
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app.kubernetes.io/name: routing-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: routing-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: routing-api
          image: {{ default (index .Vars "FLEET_ROUTING_API_IMAGE") "registry.local:5000/fleet/routing-api:1.6.3" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: TRACKING_API_URL
              value: http://tracking-api
            - name: GRAPH_CACHE_DIR
              value: /var/cache/routing
            - name: SOLVER_TIME_LIMIT
              value: '{{ envOr "FLEET_SOLVER_TIME_LIMIT" "5s" }}'
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            # Loading the road graph takes a while on a cold cache.
            initialDelaySeconds: 20
            periodSeconds: 10
          resources:
            requests:
              cpu: 500m
              memory: 1Gi
            limits:
              memory: 4Gi
          volumeMounts:
            - name: graph-cache
              mountPath: /var/cache/routing
      volumes:
        - name: graph-cache
          persistentVolumeClaim:
            claimName: routing-graph-cache
