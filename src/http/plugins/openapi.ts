// The OpenAPI 3.1 document (generated from the routes' zod schemas) at /api/openapi.json, Swagger UI at /api/docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { SECURITY_SCHEMES, SIGNED_IN_SECURITY } from './authenticate.js';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

const DOCS_CSP = "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; form-action 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'";

export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'citycap registry API',
        version,
        description:
          'Cap-and-trade registry: public disclosure without sign-in (operations with `security: []`), everything else signed in. ' +
          'Errors are `{ "error": { "code", "message", "field"? } }`; big integers are decimal strings; lists use cursor pagination.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      // The default for operations that do not say otherwise; public ones declare `security: []`.
      security: SIGNED_IN_SECURITY,
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PATH, staticCSP: DOCS_CSP });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, () => app.swagger());
}
