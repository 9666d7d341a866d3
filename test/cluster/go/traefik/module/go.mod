// Pins Traefik (the test bed's real ingress controller: Ingress and Gateway API providers) and the
// Gateway API release whose standard-channel CRDs the test bed installs (the one Traefik is built against).
// NB: Traefik's go.mod has replace directives, so `go install` refuses it: build-traefik.sh builds
// ./cmd/traefik inside a writable copy of the module that this go.sum pins.
module zoom-integration-operator/test/cluster/traefik

go 1.26.0

require (
	github.com/traefik/traefik/v3 v3.6.12
	sigs.k8s.io/gateway-api v1.4.0
)
