import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';

const { edge } = buildApp(new App());
if (!edge) console.warn('Edge stack not created: set tokenization:apiOriginDomain (docs/security/edge.md).');
