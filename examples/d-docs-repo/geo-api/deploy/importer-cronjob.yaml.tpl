apiVersion: batch/v1
kind: CronJob
metadata:
  name: geo-importer
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: geo-importer
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  schedule: '{{ envOr "ATLAS_IMPORT_SCHEDULE" "15 3 * * *" }}'
  timeZone: Etc/UTC
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 1
      activeDeadlineSeconds: 14400
      template:
        metadata:
          labels:
            app.kubernetes.io/name: geo-importer
        spec:
          restartPolicy: Never
          containers:
            - name: importer
              image: {{ default (index .Vars "ATLAS_GEO_IMPORTER_IMAGE") "registry.local:5000/atlas/geo-importer:2.4.0" }}
              args:
                - import
                - --region={{ envOr "ATLAS_IMPORT_REGION" (ternary (eq .Env "production") "europe" "monaco") }}
                - --source=https://download.geofabrik.de
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
              resources:
                requests:
                  cpu: "1"
                  memory: 2Gi
