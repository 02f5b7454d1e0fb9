// electron-builder configuration: `npm run release` (needs network to fetch Electron and packaging tools).
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'dev.signet.desktop',
  productName: 'Signet',
  copyright: 'Copyright © 2026 Signet contributors',
  directories: { output: 'release', buildResources: 'build' },
  files: ['out/**', 'package.json', '!**/*.map'],
  extraResources: [{ from: 'resources', to: 'resources', filter: ['**/*'] }],
  asar: true,
  // keytar and pkcs11js are native: rebuilt against Electron's ABI when packaging.
  npmRebuild: true,
  icon: 'build/icon.png',
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'build/icon.png',
    maintainer: 'Signet contributors <signet@example.invalid>',
    synopsis: 'Key and signature manager for OCI container images',
  },
  deb: { depends: ['libsecret-1-0', 'libnss3', 'libgtk-3-0'] },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', hardenedRuntime: true, icon: 'build/icon.png' },
  dmg: { title: 'Signet' },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
};
