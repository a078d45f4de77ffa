// Fetching and decoding a run's input images, as the real service does before accepting a run:
// data: URIs, runflow://assets/{id}, asset URLs on our storage origin, and other http(s) URLs.
import sharp from 'sharp';
import type { UrlSigner } from './signing';
import type { AssetStore } from './assets';
import { validationError, type FieldError } from './http';
import type { EditInput } from './validation';

export interface SourceImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface ImageSourceDeps {
  assets: AssetStore;
  storageUrl: string;
  /** Checks an asset link's signature: an expired or forged one is as unreachable as a 403. */
  signer: UrlSigner;
}

const DECODABLE_FORMATS = new Set(['png', 'jpeg', 'webp']);
const FETCH_TIMEOUT_MS = 10_000;

class SourceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function decodeDataUri(url: string): Buffer {
  const match = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(url);
  if (!match || !match[2]) throw new SourceError('invalid_data_uri', 'The data URI must be base64-encoded image data.');
  return Buffer.from(match[3], 'base64');
}

function assetBytes(id: string, deps: ImageSourceDeps): Buffer {
  const asset = deps.assets.asset(id);
  if (!asset) throw new SourceError('asset_not_found', `Asset ${id} does not exist or was not confirmed.`);
  return asset.data;
}

async function fetchBytes(url: string): Promise<Buffer> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    throw new SourceError('unreachable', `The image URL could not be fetched (${(err as Error).message}).`);
  }
}

async function bytesOf(url: string, deps: ImageSourceDeps): Promise<Buffer> {
  if (url.startsWith('data:')) return decodeDataUri(url);
  const assetRef = /^runflow:\/\/assets\/([^/?#]+)$/.exec(url);
  if (assetRef) return assetBytes(assetRef[1], deps);
  const storageAsset = url.startsWith(`${deps.storageUrl}/assets/`) && /^\/assets\/([^/]+)\//.exec(new URL(url).pathname);
  if (storageAsset) {
    const link = new URL(url);
    const check = deps.signer.check(link.pathname, link.searchParams);
    if (check !== 'valid') throw new SourceError('unreachable', `The image URL could not be fetched (HTTP 403: the link is ${check}).`);
    return assetBytes(storageAsset[1], deps);
  }
  if (/^https?:\/\//i.test(url)) return fetchBytes(url);
  throw new SourceError('unsupported_scheme', 'Image URLs must be data:, http(s): or runflow://assets/ URLs.');
}

async function loadSourceImage(url: string, deps: ImageSourceDeps): Promise<SourceImage> {
  const data = await bytesOf(url, deps);
  try {
    const meta = await sharp(data).metadata();
    if (DECODABLE_FORMATS.has(meta.format ?? '') && meta.width && meta.height) {
      return { data, width: meta.width, height: meta.height };
    }
  } catch {
    // Falls through to the same answer as an unsupported format.
  }
  throw new SourceError('invalid_image', 'The file is not a PNG, JPEG or WebP image that can be decoded.');
}

export interface RunImages {
  images: SourceImage[];
  mask?: SourceImage;
}

/** Loads every input image and the mask; one 422 lists every URL that failed. */
export async function loadRunImages(input: EditInput, deps: ImageSourceDeps): Promise<RunImages> {
  const errors: FieldError[] = [];
  const load = (url: string, field: string) =>
    loadSourceImage(url, deps).catch((err: unknown) => {
      const e = err instanceof SourceError ? err : new SourceError('invalid_image', String(err));
      errors.push({ field, code: e.code, message: `${field}: ${e.message}` });
      return undefined;
    });
  const [images, mask] = await Promise.all([
    Promise.all(input.image_urls.map((url, i) => load(url, `input.image_urls[${i}]`))),
    input.mask_url === undefined ? undefined : load(input.mask_url, 'input.mask_url'),
  ]);
  const first = images[0];
  if (mask && first && (mask.width !== first.width || mask.height !== first.height)) {
    errors.push({
      field: 'input.mask_url',
      code: 'mask_size_mismatch',
      message: `The mask is ${mask.width}x${mask.height} but the first image is ${first.width}x${first.height}; they must match.`,
    });
  }
  if (errors.length > 0) throw validationError(errors);
  return { images: images as SourceImage[], mask };
}
