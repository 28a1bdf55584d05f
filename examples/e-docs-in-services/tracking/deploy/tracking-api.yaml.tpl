apiVersion: v1
kind: Service
metadata:
  name: tracking-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: tracking-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: tracking-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tracking-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: tracking-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "FLEET_TRACKING_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: tracking-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: tracking-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: tracking-api
          image: {{ default (index .Vars "FLEET_TRACKING_API_IMAGE") "registry.local:5000/fleet/tracking-api:4.1.0" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: APP_ENV
              value: '{{ .Env }}'
            - name: HTTP_ADDR
              value: ":8080"
            - name: DB_HOST
              value: timescaledb
            - name: DB_NAME
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_DB
            - name: DB_USER
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_USER
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_PASSWORD
            - name: POSITIONS_RETENTION
              value: '{{ ternary (eq .Env "production") "90d" "7d" }}'
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            initialDelaySeconds: 3
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 10
            periodSeconds: 20
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 512Mi
