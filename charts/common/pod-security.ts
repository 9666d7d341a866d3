// The restricted Pod Security Standard, written once for every pod this product runs (the operator
// and each tenant's service): non-root with a fixed uid, RuntimeDefault seccomp, no privilege
// escalation, no capabilities, a read-only root filesystem (write to an emptyDir at /tmp).
import { RUN_AS_ID } from "../../common/tenant/contract.ts";

export const RESTRICTED_POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: RUN_AS_ID,
  runAsGroup: RUN_AS_ID,
  fsGroup: RUN_AS_ID,
  seccompProfile: { type: "RuntimeDefault" },
};

export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};
