import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Each file registers a whole platform under Pulumi's mocks; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
