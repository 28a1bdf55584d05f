apiVersion: v1
kind: Service
metadata:
  name: timescaledb
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: timescaledb
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: timescaledb
  ports:
    - name: pg
      port: 5432
      targetPort: pg
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: timescaledb
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: timescaledb
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  serviceName: timescaledb
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: timescaledb
  template:
    metadata:
      labels:
        app.kubernetes.io/name: timescaledb
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: postgres
          image: {{ default (index .Vars "FLEET_TIMESCALEDB_IMAGE") "timescale/timescaledb:2.17.2-pg16" }}
          imagePullPolicy: IfNotPresent
          ports:
            - name: pg
              containerPort: 5432
          env:
            - name: POSTGRES_DB
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_DB
            - name: POSTGRES_USER
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_USER
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_PASSWORD
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
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: {{ ternary (eq .Env "production") "100Gi" "2Gi" }}
