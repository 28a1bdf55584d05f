apiVersion: batch/v1
kind: CronJob
metadata:
  name: inventory-sync
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: inventory-sync
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  schedule: '{{ envOr "BAZAAR_SUPPLIER_SYNC_SCHEDULE" (ternary (eq .Env "production") "0 */2 * * *" "0 6 * * *") }}'
  timeZone: Europe/Berlin
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 2
  failedJobsHistoryLimit: 5
  jobTemplate:
    spec:
      backoffLimit: 2
      activeDeadlineSeconds: 5400
      template:
        metadata:
          labels:
            app.kubernetes.io/name: inventory-sync
        spec:
          restartPolicy: Never
          containers:
            - name: sync
              image: {{ default (index .Vars "BAZAAR_INVENTORY_SYNC_IMAGE") "registry.local:5000/bazaar/inventory-sync:2.9.0" }}
              args: ["sync", "--all-suppliers"]
              envFrom:
                - configMapRef:
                    name: bazaar-shared
              env:
                - name: INVENTORY_API_URL
                  value: http://inventory-api
                - name: SUPPLIER_SFTP_PASSWORD
                  valueFrom:
                    secretKeyRef:
                      name: inventory-suppliers
                      key: BAZAAR_SUPPLIER_SFTP_PASSWORD
