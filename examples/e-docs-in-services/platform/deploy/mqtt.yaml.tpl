apiVersion: v1
kind: ConfigMap
metadata:
  name: mqtt
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: mqtt
    app.kubernetes.io/part-of: {{ .Project }}
data:
  mosquitto.conf: |
    listener 1883
    allow_anonymous {{ ternary (eq .Env "production") "false" "true" }}
{{- if eq .Env "production" }}
    password_file /mosquitto/secrets/passwd
{{- end }}
    persistence false
    max_queued_messages 10000
---
apiVersion: v1
kind: Service
metadata:
  name: mqtt
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: mqtt
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: mqtt
  ports:
    - name: mqtt
      port: 1883
      targetPort: mqtt
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mqtt
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: mqtt
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: mqtt
  template:
    metadata:
      labels:
        app.kubernetes.io/name: mqtt
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: mosquitto
          image: {{ default (index .Vars "FLEET_MOSQUITTO_IMAGE") "eclipse-mosquitto:2.0.20" }}
          ports:
            - name: mqtt
              containerPort: 1883
          readinessProbe:
            tcpSocket:
              port: mqtt
            periodSeconds: 10
          volumeMounts:
            - name: config
              mountPath: /mosquitto/config
{{- if eq .Env "production" }}
            - name: passwd
              mountPath: /mosquitto/secrets
              readOnly: true
{{- end }}
      volumes:
        - name: config
          configMap:
            name: mqtt
{{- if eq .Env "production" }}
        - name: passwd
          secret:
            secretName: fleet-mqtt-passwd
{{- end }}
