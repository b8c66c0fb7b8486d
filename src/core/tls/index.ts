// The TLS room: client and server TLS for every part of the product (see docs/tls.md).
export * from './tlsErrors';
export * from './certificates';
export * from './clientTls';
export * from './serverTls';
export type { LocalCertificate } from './certStore';
export { defaultCertFolder, localCertificate } from './certStore';
