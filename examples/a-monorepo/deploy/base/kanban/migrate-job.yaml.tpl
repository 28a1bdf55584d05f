apiVersion: batch/v1
kind: Job
metadata:
  name: kanban-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: kanban
        app.kubernetes.io/component: migrate
    spec:
      restartPolicy: Never
      initContainers:
        - name: wait-postgres
          image: {{ default (index .Vars "KANBAN_BUSYBOX_IMAGE") "busybox:1.36" }}
          command:
            - sh
            - -ec
            - |
              until nc -z postgres 5432; do
                echo "waiting for postgres..."
                sleep 2
              done
      containers:
        - name: migrate
          # Migrations ship inside the API image (`kanban-api migrate up`).
          image: {{ default (index .Vars "KANBAN_API_IMAGE") "registry.local:5000/kanban/api:0.7.3" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          args: ["migrate", "up"]
          envFrom:
            - configMapRef:
                name: kanban-config
          env:
            - name: KANBAN_DB_NAME
              valueFrom:
                secretKeyRef:
                  name: kanban-postgres
                  key: KANBAN_POSTGRES_DB
            - name: KANBAN_DB_USER
              valueFrom:
                secretKeyRef:
                  name: kanban-postgres
                  key: KANBAN_POSTGRES_USER
            - name: KANBAN_DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: kanban-postgres
                  key: KANBAN_POSTGRES_PASSWORD
