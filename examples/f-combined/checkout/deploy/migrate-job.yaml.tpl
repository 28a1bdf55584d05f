apiVersion: batch/v1
kind: Job
metadata:
  name: checkout-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: checkout-migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: checkout-migrate
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: {{ default (index .Vars "BAZAAR_CHECKOUT_API_IMAGE") "registry.local:5000/bazaar/checkout-api:5.0.2" }}
          args: ["migrate", "up", "--schema=checkout"]
          envFrom:
            - configMapRef:
                name: bazaar-shared
          env:
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
