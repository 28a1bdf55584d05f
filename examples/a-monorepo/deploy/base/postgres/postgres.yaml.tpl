apiVersion: v1
kind: ConfigMap
metadata:
  name: kanban-postgres-init
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: postgres
    app.kubernetes.io/part-of: {{ .Project }}
data:
  01-extensions.sql: |
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE EXTENSION IF NOT EXISTS citext;
---
apiVersion: v1
kind: Service
metadata:
  name: postgres
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: postgres
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: postgres
  ports:
    - name: pg
      port: 5432
      targetPort: pg
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: postgres
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  serviceName: postgres
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: postgres
  template:
    metadata:
      labels:
        app.kubernetes.io/name: postgres
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: postgres
          image: {{ default (index .Vars "KANBAN_POSTGRES_IMAGE") "postgres:16.4-alpine" }}
          imagePullPolicy: IfNotPresent
          ports:
            - name: pg
              containerPort: 5432
          env:
            - name: POSTGRES_DB
              valueFrom:
                secretKeyRef:
                  name: kanban-postgres
                  key: KANBAN_POSTGRES_DB
            - name: POSTGRES_USER
              valueFrom:
                secretKeyRef:
                  name: kanban-postgres
                  key: KANBAN_POSTGRES_USER
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: kanban-postgres
                  key: KANBAN_POSTGRES_PASSWORD
            - name: PGDATA
              value: /var/lib/postgresql/data/pgdata
          readinessProbe:
            exec:
              command: ["sh", "-c", "pg_isready -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""]
            initialDelaySeconds: 5
            periodSeconds: 10
          resources:
            requests:
              cpu: 100m
              memory: 256Mi
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
            - name: init-sql
              mountPath: /docker-entrypoint-initdb.d
      volumes:
        - name: init-sql
          configMap:
            name: kanban-postgres-init
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: {{ ternary (eq .Env "production") "20Gi" "2Gi" }}
