// Pins the Prometheus Operator, whose module ships the monitoring.coreos.com CRDs that the monitoring
// test installs (ServiceMonitor, PodMonitor, PrometheusRule). Nothing is built from it.
// NB: deliberately outside test/cluster/go/: every go.mod there is part of the control plane's
// cache key (build-binaries.sh), and adding one would rebuild the control plane everywhere.
module zoom-integration-operator/test/cluster/prometheus-operator

go 1.26.0

require github.com/prometheus-operator/prometheus-operator v0.85.0
