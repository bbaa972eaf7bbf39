import { defineConfig } from 'vitest/config';

// The dev server forwards API and tile requests to a running gateway so that
// `npm run dev` works against the real services (cookies stay same-origin).
const backend = process.env['PATHOLABEL_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/tiles': { target: backend, changeOrigin: false },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // A timeout catches a hang, not slowness: the heaviest tests take 8 s on
    // a busy 2-core CI machine, and speed is measured by scripts/bench.
    testTimeout: 60_000,
  },
});
