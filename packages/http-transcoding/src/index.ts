export { allowsAnonymous } from "./access.js";
export { BadRequestError, type FieldViolation, violationFromJsonError } from "./bad-request.js";
export { codeOfHttpStatus, httpStatusOf } from "./http-status.js";
export { BEARER_AUTH, type OpenApiOptions, openApiDocument } from "./openapi.js";
export {
  matchTemplate,
  type PathTemplate,
  parseTemplate,
  splitPath,
  TemplateError,
  UnsafePathError,
} from "./path-template.js";
export { type HttpRequestParts, transcodeRequest } from "./request.js";
export { transcodeResponse } from "./response.js";
export { type Match, matchRoute } from "./router.js";
export { type HttpMethod, type Route, routeOf, routesOf } from "./routes.js";
