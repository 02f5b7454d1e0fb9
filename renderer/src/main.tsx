import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect, takeToken } from './bridge';
import { useApp } from './stores/app';
import './styles.css';
import { applyTheme, savedTheme } from './theme';

applyTheme(savedTheme());
takeToken();
void useApp.getState().init(connect());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
