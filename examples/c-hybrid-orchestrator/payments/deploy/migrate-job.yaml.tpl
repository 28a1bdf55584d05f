apiVersion: batch/v1
kind: Job
metadata:
  name: payments-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: payments-migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: payments-migrate
    spec:
      restartPolicy: Never
      initContainers:
        # The service image carries its SQL migrations in /migrations.
        - name: copy-migrations
          image: {{ default (index .Vars "PAYGATE_PAYMENTS_API_IMAGE") "registry.local:5000/paygate/payments-api:1.12.0" }}
          command: ["cp", "-r", "/migrations/.", "/work/"]
          volumeMounts:
            - name: migrations
              mountPath: /work
      containers:
        - name: migrate
          image: {{ default (index .Vars "PAYGATE_MIGRATE_IMAGE") "migrate/migrate:v4.18.1" }}
          command: ["sh", "-ec", "exec migrate -path /migrations -database \"$DATABASE_URL\" up"]
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: payments-db
                  key: PAYMENTS_DATABASE_URL
          volumeMounts:
            - name: migrations
              mountPath: /migrations
      volumes:
        - name: migrations
          emptyDir: {}
