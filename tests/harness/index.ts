export * from './keyring';
export * from './registry';
export * from './s3';
export * from './softhsm';
export * from './tools';
export * from './images';
export * from './gpg';
export * from './attach';
