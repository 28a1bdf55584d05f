apiVersion: v1
kind: Service
metadata:
  name: checkout-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: checkout-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: checkout-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: checkout-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "BAZAAR_CHECKOUT_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: checkout-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: checkout-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: checkout-api
          image: {{ default (index .Vars "BAZAAR_CHECKOUT_API_IMAGE") "registry.local:5000/bazaar/checkout-api:5.0.2" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: bazaar-shared
          env:
            - name: APP_ENV
              value: '{{ .Env }}'
            - name: HTTP_ADDR
              value: ":8080"
            - name: DB_NAME
              valueFrom:
                secretKeyRef:
                  name: bazaar-postgres
                  key: BAZAAR_POSTGRES_DB
            - name: DB_USER
              valueFrom:
                secretKeyRef:
                  name: checkout-db
                  key: CHECKOUT_DB_USER
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: checkout-db
                  key: CHECKOUT_DB_PASSWORD
            - name: INVENTORY_API_URL
              value: http://inventory-api
            - name: STRIPE_SECRET_KEY
              valueFrom:
                secretKeyRef:
                  name: bazaar-stripe
                  key: BAZAAR_STRIPE_SECRET_KEY
            - name: RESERVATION_TTL
              value: '{{ envOr "BAZAAR_RESERVATION_TTL" "15m" }}'
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
