apiVersion: batch/v1
kind: CronJob
metadata:
  name: billing-statements
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: billing-statements
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  # 02:30 UTC on the 1st of every month; hourly in dev so the run is exercised.
  schedule: '{{ ternary (eq .Env "production") "30 2 1 * *" "0 * * * *" }}'
  timeZone: Etc/UTC
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 2
      activeDeadlineSeconds: 3600
      template:
        metadata:
          labels:
            app.kubernetes.io/name: billing-statements
        spec:
          restartPolicy: Never
          containers:
            - name: statements
              image: {{ default (index .Vars "PAYGATE_BILLING_API_IMAGE") "registry.local:5000/paygate/billing-api:0.9.4" }}
              args: ["statements", "run", "--period=previous-month"]
              env:
                - name: DATABASE_URL
                  valueFrom:
                    secretKeyRef:
                      name: billing-db
                      key: BILLING_DATABASE_URL
                - name: BILLING_API_URL
                  value: http://billing-api
