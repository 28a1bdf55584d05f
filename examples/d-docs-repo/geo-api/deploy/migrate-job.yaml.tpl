apiVersion: batch/v1
kind: Job
metadata:
  name: geo-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: geo-migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: geo-migrate
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: {{ default (index .Vars "ATLAS_GEO_API_IMAGE") "registry.local:5000/atlas/geo-api:2.4.1" }}
          args: ["migrate", "up"]
          env:
            - name: PGHOST
              value: postgis
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
