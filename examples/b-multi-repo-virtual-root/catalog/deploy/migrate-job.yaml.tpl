apiVersion: batch/v1
kind: Job
metadata:
  name: catalog-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: catalog-migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: catalog-migrate
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          # The catalog-api image bundles migrations/ and the goose binary.
          image: {{ default (index .Vars "SHOP_CATALOG_API_IMAGE") "registry.local:5000/shop/catalog-api:1.8.2" }}
          command: ["goose", "-dir", "/migrations", "postgres", "up"]
          env:
            - name: GOOSE_DBSTRING
              valueFrom:
                secretKeyRef:
                  name: catalog-postgres
                  key: CATALOG_POSTGRES_DSN
