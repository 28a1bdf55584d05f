apiVersion: v1
kind: Service
metadata:
  name: orders-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: orders-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: orders-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: orders-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "SHOP_ORDERS_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: orders-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: orders-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: orders-api
          image: {{ default (index .Vars "SHOP_ORDERS_API_IMAGE") "registry.local:5000/shop/orders-api:3.2.0" }}
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
              value: orders-postgres
            - name: DB_PORT
              value: "5432"
            - name: DB_NAME
              valueFrom:
                secretKeyRef:
                  name: orders-postgres
                  key: ORDERS_POSTGRES_DB
            - name: DB_USER
              valueFrom:
                secretKeyRef:
                  name: orders-postgres
                  key: ORDERS_POSTGRES_USER
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: orders-postgres
                  key: ORDERS_POSTGRES_PASSWORD
            - name: REDIS_ADDR
              value: "redis:6379"
            - name: CATALOG_API_URL
              value: http://catalog-api
            - name: PAYMENT_CALLBACK_SECRET
              valueFrom:
                secretKeyRef:
                  name: shop-runtime
                  key: SHOP_PAYMENT_CALLBACK_SECRET
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
