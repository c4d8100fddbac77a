import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by `fenqi serve` under /console (packages/server/src/platform/http/console.ts); in
// development (`npm run dev -w @fenqi/console`) Vite proxies the API to a running `fenqi demo`.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|rc-|@rc-component)/ },
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
