{{- $ssrCache := ternary (eq .Env "production") "300" "0" -}}
apiVersion: v1
kind: Service
metadata:
  name: storefront-web
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: storefront-web
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: storefront-web
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront-web
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: storefront-web
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "BAZAAR_STOREFRONT_REPLICAS" (ternary (eq .Env "production") "4" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: storefront-web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: storefront-web
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: storefront-web
          image: {{ default (index .Vars "BAZAAR_STOREFRONT_IMAGE") "registry.local:5000/bazaar/storefront:7.3.1" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
{{- if eq .Env "ai" }}
          command: ["npm", "run", "dev", "--", "--host", "0.0.0.0", "--port", "3000"]
{{- end }}
          ports:
            - name: http
              containerPort: 3000
          envFrom:
            - configMapRef:
                name: bazaar-shared
          env:
            - name: NODE_ENV
              value: '{{ ternary (eq .Env "ai") "development" "production" }}'
            - name: CHECKOUT_API_URL
              value: http://checkout-api
            - name: INVENTORY_API_URL
              value: http://inventory-api
            - name: SSR_CACHE_SECONDS
              value: "{{ $ssrCache }}"
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          resources:
            requests:
              cpu: 100m
              memory: 256Mi
            limits:
              memory: 768Mi
