apiVersion: v1
kind: Service
metadata:
  name: catalog-postgres
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: catalog-postgres
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: catalog-postgres
  ports:
    - name: pg
      port: 5432
      targetPort: pg
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: catalog-postgres
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: catalog-postgres
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  serviceName: catalog-postgres
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: catalog-postgres
  template:
    metadata:
      labels:
        app.kubernetes.io/name: catalog-postgres
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: postgres
          image: {{ default (index .Vars "SHOP_CATALOG_POSTGRES_IMAGE") "postgres:16.4-alpine" }}
          imagePullPolicy: IfNotPresent
          ports:
            - name: pg
              containerPort: 5432
          env:
            - name: POSTGRES_DB
              valueFrom:
                secretKeyRef:
                  name: catalog-postgres
                  key: CATALOG_POSTGRES_DB
            - name: POSTGRES_USER
              valueFrom:
                secretKeyRef:
                  name: catalog-postgres
                  key: CATALOG_POSTGRES_USER
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: catalog-postgres
                  key: CATALOG_POSTGRES_PASSWORD
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
            storage: {{ ternary (eq .Env "production") "20Gi" "2Gi" }}
