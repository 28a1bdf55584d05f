apiVersion: v1
kind: Service
metadata:
  name: geo-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: geo-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: geo-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: geo-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: geo-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "ATLAS_GEO_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: geo-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: geo-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: geo-api
          image: {{ default (index .Vars "ATLAS_GEO_API_IMAGE") "registry.local:5000/atlas/geo-api:2.4.1" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: APP_ENV
              value: '{{ .Env }}'
            - name: HTTP_ADDR
              value: ":8080"
            - name: PGHOST
              value: postgis
            - name: PGPORT
              value: "5432"
            - name: PGDATABASE
              valueFrom:
                secretKeyRef:
                  name: atlas-postgis
                  key: ATLAS_POSTGIS_DB
            - name: PGUSER
              valueFrom:
                secretKeyRef:
                  name: atlas-postgis
                  key: ATLAS_POSTGIS_USER
            - name: PGPASSWORD
              valueFrom:
                secretKeyRef:
                  name: atlas-postgis
                  key: ATLAS_POSTGIS_PASSWORD
            - name: GEO_ROUTING_PROFILE
              value: '{{ envOr "ATLAS_ROUTING_PROFILE" "car" }}'
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
