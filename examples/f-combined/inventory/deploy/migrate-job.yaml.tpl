apiVersion: batch/v1
kind: Job
metadata:
  name: inventory-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: inventory-migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: inventory-migrate
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: {{ default (index .Vars "BAZAAR_INVENTORY_API_IMAGE") "registry.local:5000/bazaar/inventory-api:2.9.0" }}
          args: ["migrate", "up", "--schema=inventory"]
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
                  name: inventory-db
                  key: INVENTORY_DB_USER
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: inventory-db
                  key: INVENTORY_DB_PASSWORD
