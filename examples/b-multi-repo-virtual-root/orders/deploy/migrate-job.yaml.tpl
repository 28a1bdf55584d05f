apiVersion: batch/v1
kind: Job
metadata:
  name: orders-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: orders-migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 1
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: orders-migrate
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: {{ default (index .Vars "SHOP_ORDERS_API_IMAGE") "registry.local:5000/shop/orders-api:3.2.0" }}
          args: ["migrate", "up"]
          env:
            - name: DB_HOST
              value: orders-postgres
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
