apiVersion: apps/v1
kind: Deployment
metadata:
  name: notify-worker
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: notify-worker
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: notify-worker
  template:
    metadata:
      labels:
        app.kubernetes.io/name: notify-worker
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: notify-worker
          image: {{ default (index .Vars "FLEET_NOTIFY_WORKER_IMAGE") "registry.local:5000/fleet/notify-worker:0.8.0" }}
          env:
            - name: MQTT_URL
              value: tcp://mqtt:1883
            - name: TRACKING_API_URL
              value: http://tracking-api
            - name: SMS_DRY_RUN
              value: '{{ ternary (eq .Env "production") "false" "true" }}'
            - name: SMS_GATEWAY_TOKEN
              valueFrom:
                secretKeyRef:
                  name: fleet-notify
                  key: FLEET_SMS_GATEWAY_TOKEN
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 128Mi
