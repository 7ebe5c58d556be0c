/**
 * Wraps a port (git source, blob store) so that every rejected call is counted by its
 * error code before it is passed on unchanged. Done at the composition root, so the
 * adapters know nothing of metrics.
 */
import { isSlipwayError } from '../../core/errors.ts';

/** `port` with each method's rejections reported to `onError(code)`. */
export function countErrors<T extends object>(port: T, onError: (code: string) => void): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            onError(isSlipwayError(error) ? error.code : 'internal');
            throw error;
          });
        }
        return result;
      };
    },
  });
}
