// Mixer (config.istio.io/v1alpha2): kinds, expression language and cross-resource references.
import './kinds.js';

export {
  DEFAULT_VOCABULARY,
  extendVocabulary,
  VALUE_TYPES,
  type AttributeVocabulary,
  type ValueType,
} from './attributes.js';
export {
  compileMixerExpression,
  type AttributeBag,
  type CompiledExpression,
  type MixerValue,
} from './expr/compile.js';
export {
  adapterSupports,
  canonicalize,
  handlerAdapter,
  instanceTemplate,
  mixerFqn,
  mixerReferences,
  type MixerReference,
} from './references.js';
