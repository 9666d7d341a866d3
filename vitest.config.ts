import { defineConfig } from "vitest/config";

// Three tiers (see README "Development"): unit tests sit next to the code and need no cluster;
// integration tests share one real control plane started by the global setup; e2e runs everything.
const slow = { testTimeout: 120_000, hookTimeout: 180_000 };

export default defineConfig({
  test: {
    // the plain closing line CI reads ("N passed, N failed, N skipped", alone on its line), see the reporter
    reporters: ["default", "./test/support/closing-line-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          // some unit tests start processes (the image's entrypoints, helm): room for a busy 2-core CI
          testTimeout: 20_000,
          include: ["{common,operator,service,charts,scripts,test}/**/*.test.ts"],
          exclude: [
            "test/integration/**",
            "test/e2e/**",
            "test/fuzz/**",
            "test/chaos/**",
            "test/image/built-image.test.ts",
            "**/node_modules/**",
          ],
        },
      },
      {
        test: {
          name: "integration",
          // NB: the tiers run one after the other, not side by side: they share the control plane,
          // the pod IP range and 2 cores.
          sequence: { groupOrder: 1 },
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          // NB: one file at a time: files share the control plane, and the steady-state test counts
          // the API server's writes; 2 cores gain little from parallel files anyway.
          fileParallelism: false,
          ...slow,
        },
      },
      {
        test: {
          name: "e2e",
          sequence: { groupOrder: 2 },
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          ...slow,
          testTimeout: 300_000,
        },
      },
      {
        test: {
          // The image built for real (`npm run image`, cached by the Dockerfile's inputs: a cold build
          // takes minutes, a warm one seconds), its entrypoints run from its own filesystem.
          name: "image",
          sequence: { groupOrder: 4 },
          include: ["test/image/built-image.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          ...slow,
        },
      },
      {
        test: {
          // schemathesis against the real service process (README "Development": ZIO_FUZZ_EXAMPLES for the full run)
          name: "fuzz",
          sequence: { groupOrder: 3 },
          include: ["test/fuzz/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          fileParallelism: false,
          ...slow,
        },
      },
      {
        test: {
          // kills and restarts every part on a control plane of its own (README "Operations": chaos);
          // CI runs reduced counts, ZIO_CHAOS_FULL=1 the full counts
          name: "chaos",
          sequence: { groupOrder: 4 },
          include: ["test/chaos/**/*.test.ts"],
          globalSetup: ["test/chaos/support/chaos-setup.ts"],
          fileParallelism: false,
          ...slow,
          testTimeout: 900_000,
        },
      },
    ],
  },
});
