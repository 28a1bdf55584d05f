{{- $devServer := eq .Env "ai" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: storefront-nginx
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: storefront
    app.kubernetes.io/part-of: {{ .Project }}
data:
  default.conf: |
    server {
      listen 8080;
      root /usr/share/nginx/html;
      location /api/catalog/ { proxy_pass http://catalog-api/; }
      location /api/orders/  { proxy_pass http://orders-api/; }
      location / { try_files $uri /index.html; }
    }
---
apiVersion: v1
kind: Service
metadata:
  name: storefront
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: storefront
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: storefront
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: storefront
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "SHOP_STOREFRONT_REPLICAS" (ternary (eq .Env "production") "3" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: storefront
  template:
    metadata:
      labels:
        app.kubernetes.io/name: storefront
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: storefront
{{- if $devServer }}
          image: {{ default (index .Vars "SHOP_STOREFRONT_DEV_IMAGE") "registry.local:5000/shop/storefront-dev:2.3.0" }}
          imagePullPolicy: Always
          command: ["npm", "run", "dev", "--", "--host", "0.0.0.0", "--port", "8080"]
{{- else }}
          image: {{ default (index .Vars "SHOP_STOREFRONT_IMAGE") "registry.local:5000/shop/storefront:2.3.0" }}
          imagePullPolicy: IfNotPresent
{{- end }}
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /
              port: http
            periodSeconds: 10
{{- if not $devServer }}
          volumeMounts:
            - name: nginx-conf
              mountPath: /etc/nginx/conf.d
      volumes:
        - name: nginx-conf
          configMap:
            name: storefront-nginx
{{- end }}
