// Types of build-native.mjs's exports, for the tests that read its lists.
/** The native module's C++ sources, absolute paths. */
export const nativeSources: string[];
/** The headers they include, absolute paths. */
export const nativeHeaders: string[];
/** Where the module of this platform and architecture is built. */
export const modulePath: string;
