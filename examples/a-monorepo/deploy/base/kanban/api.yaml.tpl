{{- $hotReload := eq .Env "ai" -}}
apiVersion: v1
kind: Service
metadata:
  name: kanban-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kanban-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "KANBAN_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: kanban
      app.kubernetes.io/component: api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: kanban
        app.kubernetes.io/component: api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: api
          image: {{ default (index .Vars "KANBAN_API_IMAGE") "registry.local:5000/kanban/api:0.7.3" }}
          imagePullPolicy: {{ ternary $hotReload "Always" "IfNotPresent" }}
{{- if $hotReload }}
          command: ["air", "-c", "/workspace/services/api/.air.toml"]
          workingDir: /workspace/services/api
{{- end }}
          ports:
            - name: http
              containerPort: 8080
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
            - name: KANBAN_GITHUB_OAUTH_CLIENT_ID
              valueFrom:
                secretKeyRef:
                  name: kanban-runtime
                  key: KANBAN_GITHUB_OAUTH_CLIENT_ID
            - name: KANBAN_GITHUB_OAUTH_CLIENT_SECRET
              valueFrom:
                secretKeyRef:
                  name: kanban-runtime
                  key: KANBAN_GITHUB_OAUTH_CLIENT_SECRET
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            initialDelaySeconds: 3
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 10
            periodSeconds: 20
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 512Mi
{{- if $hotReload }}
          volumeMounts:
            - name: workspace
              mountPath: /workspace
      volumes:
        - name: workspace
          persistentVolumeClaim:
            claimName: {{ default (index .Vars "KANBAN_WORKSPACE_PVC") "kanban-workspace" }}
{{- end }}
