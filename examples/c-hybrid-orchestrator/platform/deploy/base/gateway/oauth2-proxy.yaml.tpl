apiVersion: v1
kind: Service
metadata:
  name: oauth2-proxy
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: oauth2-proxy
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: oauth2-proxy
  ports:
    - name: http
      port: 4180
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: oauth2-proxy
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: oauth2-proxy
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: oauth2-proxy
  template:
    metadata:
      labels:
        app.kubernetes.io/name: oauth2-proxy
        app.kubernetes.io/component: edge
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: oauth2-proxy
          image: {{ default (index .Vars "PAYGATE_OAUTH2_PROXY_IMAGE") "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1" }}
          args:
            - --provider=github
            - --github-org={{ envOr "PAYGATE_GITHUB_ORG" "paygate-io" }}
            - --http-address=0.0.0.0:4180
            - --upstream=http://api-gateway
            - --email-domain=*
          env:
            - name: OAUTH2_PROXY_CLIENT_ID
              valueFrom:
                secretKeyRef:
                  name: paygate-oauth2-proxy
                  key: PAYGATE_OAUTH2_PROXY_CLIENT_ID
            - name: OAUTH2_PROXY_CLIENT_SECRET
              valueFrom:
                secretKeyRef:
                  name: paygate-oauth2-proxy
                  key: PAYGATE_OAUTH2_PROXY_CLIENT_SECRET
            - name: OAUTH2_PROXY_COOKIE_SECRET
              valueFrom:
                secretKeyRef:
                  name: paygate-oauth2-proxy
                  key: PAYGATE_OAUTH2_PROXY_COOKIE_SECRET
          ports:
            - name: http
              containerPort: 4180
          readinessProbe:
            httpGet:
              path: /ping
              port: http
            periodSeconds: 10
