import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by `fenqi serve` under /h5 (packages/server/src/platform/http/spa.ts); in development
// (`npm run dev -w @fenqi/h5`) Vite proxies the API to a running `fenqi demo`.
export default defineConfig({
  base: '/h5/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'antd-mobile',
              test: /node_modules[\\/](antd-mobile|antd-mobile-icons|@react-spring|@use-gesture|rc-field-form)/,
            },
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.FENQI_URL ?? 'http://127.0.0.1:8080' },
  },
});
