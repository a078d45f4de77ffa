// Asset uploads (request → presigned PUT → confirmation) and the confirmed assets runs can use.
import { randomUUID } from 'node:crypto';
import { ApiError, validationError, type FieldError } from './http';

export const MAX_ASSET_BYTES = 52_428_800;
export const ASSET_TYPES = [
  { mime_type: 'image/png', extensions: ['.png'] },
  { mime_type: 'image/jpeg', extensions: ['.jpg', '.jpeg'] },
  { mime_type: 'image/webp', extensions: ['.webp'] },
];

export interface Asset {
  id: string;
  name: string;
  mimeType: string;
  sizeBytes: number;
  createdAt: number;
  data: Buffer;
}

export interface Upload {
  id: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  expiresAt: number;
  /** Set by the presigned PUT. */
  data?: Buffer;
  /** Set by the confirmation. */
  asset?: Asset;
}

export const uploadPath = (id: string): string => `/uploads/${id}`;
export const assetPath = (asset: Asset): string => `/assets/${asset.id}/${encodeURIComponent(asset.name)}`;

export class AssetStore {
  private readonly uploads = new Map<string, Upload>();

  /** Step 1: checks the declared file, as the real endpoint does (422 on size or type). */
  createUpload(body: unknown, ttlMs: number): Upload {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const errors: FieldError[] = [];
    if (typeof b.filename !== 'string' || b.filename.trim() === '') {
      errors.push({ field: 'filename', code: 'required', message: 'filename is required.' });
    }
    if (typeof b.mime_type !== 'string' || !ASSET_TYPES.some((t) => t.mime_type === b.mime_type)) {
      errors.push({ field: 'mime_type', code: 'unsupported_type', message: `mime_type must be one of ${ASSET_TYPES.map((t) => t.mime_type).join(', ')}.` });
    }
    const size = b.size_bytes;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_ASSET_BYTES) {
      errors.push({ field: 'size_bytes', code: 'out_of_range', message: `size_bytes must be an integer from 1 to ${MAX_ASSET_BYTES}.` });
    }
    if (errors.length > 0) throw validationError(errors);
    const upload: Upload = {
      id: randomUUID(),
      filename: b.filename as string,
      mimeType: b.mime_type as string,
      sizeBytes: size as number,
      expiresAt: Date.now() + ttlMs,
    };
    this.uploads.set(upload.id, upload);
    return upload;
  }

  upload(id: string): Upload | undefined {
    return this.uploads.get(id);
  }

  /** Step 3: turns uploaded bytes into an asset; confirming twice returns the same asset. */
  confirm(id: string): Asset {
    const upload = this.uploads.get(id);
    if (!upload) throw new ApiError(404, 'ASSET_UPLOAD_NOT_FOUND', `No asset upload ${id}.`);
    if (upload.asset) return upload.asset;
    if (!upload.data) throw new ApiError(409, 'UPLOAD_INCOMPLETE', 'The file has not been uploaded to upload_url yet.');
    upload.asset = {
      id: upload.id,
      name: upload.filename,
      mimeType: upload.mimeType,
      sizeBytes: upload.data.length,
      createdAt: Date.now(),
      data: upload.data,
    };
    return upload.asset;
  }

  asset(id: string): Asset | undefined {
    return this.uploads.get(id)?.asset;
  }

  clear(): void {
    this.uploads.clear();
  }
}
