apiVersion: v1
kind: ConfigMap
metadata:
  name: api-gateway
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: api-gateway
    app.kubernetes.io/part-of: {{ .Project }}
data:
  envoy.yaml: |
    static_resources:
      listeners:
        - name: http
          address: {socket_address: {address: 0.0.0.0, port_value: 8080}}
          filter_chains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: ingress
                    route_config:
                      virtual_hosts:
                        - name: api
                          domains: ["*"]
                          routes:
                            - match: {prefix: /v1/payments}
                              route: {cluster: payments-api}
                            - match: {prefix: /v1/invoices}
                              route: {cluster: billing-api}
                    http_filters:
                      - name: envoy.filters.http.router
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
      clusters:
        - name: payments-api
          type: STRICT_DNS
          load_assignment:
            cluster_name: payments-api
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: payments-api, port_value: 80}}}}]}]
        - name: billing-api
          type: STRICT_DNS
          load_assignment:
            cluster_name: billing-api
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: billing-api, port_value: 80}}}}]}]
---
apiVersion: v1
kind: Service
metadata:
  name: api-gateway
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: api-gateway
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: api-gateway
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-gateway
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: api-gateway
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "PAYGATE_GATEWAY_REPLICAS" (ternary (eq .Env "production") "3" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: api-gateway
  template:
    metadata:
      labels:
        app.kubernetes.io/name: api-gateway
        app.kubernetes.io/component: edge
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: envoy
          image: {{ default (index .Vars "PAYGATE_ENVOY_IMAGE") "envoyproxy/envoy:v1.32.2" }}
          args: ["-c", "/etc/envoy/envoy.yaml", "--log-level", '{{ ternary (eq .Env "production") "warn" "info" }}']
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            tcpSocket:
              port: http
            periodSeconds: 5
          volumeMounts:
            - name: config
              mountPath: /etc/envoy
      volumes:
        - name: config
          configMap:
            name: api-gateway
