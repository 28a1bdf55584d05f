apiVersion: v1
kind: Service
metadata:
  name: inventory-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: inventory-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: inventory-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: inventory-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: inventory-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "BAZAAR_INVENTORY_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: inventory-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: inventory-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: inventory-api
          image: {{ default (index .Vars "BAZAAR_INVENTORY_API_IMAGE") "registry.local:5000/bazaar/inventory-api:2.9.0" }}
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
                  name: inventory-db
                  key: INVENTORY_DB_USER
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: inventory-db
                  key: INVENTORY_DB_PASSWORD
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
