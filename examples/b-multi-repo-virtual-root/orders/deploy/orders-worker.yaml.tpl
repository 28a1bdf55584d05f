apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-worker
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: orders-worker
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "SHOP_ORDERS_WORKER_REPLICAS" "1" }}
  selector:
    matchLabels:
      app.kubernetes.io/name: orders-worker
  template:
    metadata:
      labels:
        app.kubernetes.io/name: orders-worker
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: orders-worker
          image: {{ default (index .Vars "SHOP_ORDERS_WORKER_IMAGE") "registry.local:5000/shop/orders-worker:3.2.0" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          env:
            - name: REDIS_ADDR
              value: "redis:6379"
            - name: ORDERS_API_URL
              value: http://orders-api
            - name: WORKER_CONCURRENCY
              value: '{{ envOr "SHOP_ORDERS_WORKER_CONCURRENCY" "8" }}'
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 256Mi
