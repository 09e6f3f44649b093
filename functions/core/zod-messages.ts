/**
 * `zod/mini` loads no locale: without this, every issue reads "Invalid input". Importing this module
 * (for its side effect) installs zod's English messages once, so issues read as they do with classic
 * zod (`Invalid option: expected one of ...`, `Too small: expected number to be >=1`).
 * Every core module that builds zod/mini schemas imports it.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
