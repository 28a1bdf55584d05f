apiVersion: apps/v1
kind: Deployment
metadata:
  name: kanban-worker
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: worker
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "KANBAN_WORKER_REPLICAS" "1" }}
  selector:
    matchLabels:
      app.kubernetes.io/name: kanban
      app.kubernetes.io/component: worker
  template:
    metadata:
      labels:
        app.kubernetes.io/name: kanban
        app.kubernetes.io/component: worker
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: worker
          image: {{ default (index .Vars "KANBAN_WORKER_IMAGE") "registry.local:5000/kanban/worker:0.7.1" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          envFrom:
            - configMapRef:
                name: kanban-config
          env:
            - name: KANBAN_WORKER_QUEUES
              value: '{{ envOr "KANBAN_WORKER_QUEUES" "notifications,digests,webhooks" }}'
            - name: KANBAN_API_URL
              value: http://kanban-api
            - name: KANBAN_SMTP_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: kanban-runtime
                  key: KANBAN_SMTP_PASSWORD
                  optional: true
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 256Mi
