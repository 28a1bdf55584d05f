apiVersion: v1
kind: Service
metadata:
  name: postgis
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: postgis
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: postgis
  ports:
    - name: pg
      port: 5432
      targetPort: pg
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgis
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: postgis
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  serviceName: postgis
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: postgis
  template:
    metadata:
      labels:
        app.kubernetes.io/name: postgis
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: postgres
          image: {{ default (index .Vars "ATLAS_POSTGIS_IMAGE") "postgis/postgis:16-3.4-alpine" }}
          imagePullPolicy: IfNotPresent
          ports:
            - name: pg
              containerPort: 5432
          env:
            - name: POSTGRES_DB
              valueFrom:
                secretKeyRef:
                  name: atlas-postgis
                  key: ATLAS_POSTGIS_DB
            - name: POSTGRES_USER
              valueFrom:
                secretKeyRef:
                  name: atlas-postgis
                  key: ATLAS_POSTGIS_USER
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: atlas-postgis
                  key: ATLAS_POSTGIS_PASSWORD
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
            storage: {{ ternary (eq .Env "production") "200Gi" "2Gi" }}
