apiVersion: v1
kind: Service
metadata:
  name: catalog-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: catalog-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: catalog-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: catalog-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: catalog-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "SHOP_CATALOG_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: catalog-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: catalog-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: catalog-api
          image: {{ default (index .Vars "SHOP_CATALOG_API_IMAGE") "registry.local:5000/shop/catalog-api:1.8.2" }}
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
              value: catalog-postgres
            - name: DB_PORT
              value: "5432"
            - name: DB_NAME
              valueFrom:
                secretKeyRef:
                  name: catalog-postgres
                  key: CATALOG_POSTGRES_DB
            - name: DB_USER
              valueFrom:
                secretKeyRef:
                  name: catalog-postgres
                  key: CATALOG_POSTGRES_USER
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: catalog-postgres
                  key: CATALOG_POSTGRES_PASSWORD
            - name: SEARCH_REINDEX_ON_START
              value: '{{ ternary (eq .Env "ai") "true" "false" }}'
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
