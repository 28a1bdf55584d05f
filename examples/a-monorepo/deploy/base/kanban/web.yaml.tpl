{{- $domain := envOr "KANBAN_PUBLIC_DOMAIN" (printf "%s.example.com" .Namespace) -}}
apiVersion: v1
kind: Service
metadata:
  name: kanban-web
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: web
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: web
  ports:
    - name: http
      port: 5173
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kanban-web
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: web
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: kanban
      app.kubernetes.io/component: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: kanban
        app.kubernetes.io/component: web
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: web
          image: {{ default (index .Vars "KANBAN_WEB_IMAGE") "registry.local:5000/kanban/web:0.4.0" }}
          imagePullPolicy: Always
          command: ["npm", "run", "dev", "--", "--host", "0.0.0.0", "--port", "5173"]
          ports:
            - name: http
              containerPort: 5173
          env:
            - name: VITE_API_BASE_URL
              value: /api
            - name: VITE_ALLOWED_HOSTS
              value: '{{ $domain }}'
            - name: VITE_HMR_CLIENT_PORT
              value: "443"
          readinessProbe:
            httpGet:
              path: /
              port: http
            periodSeconds: 10
