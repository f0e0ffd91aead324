"""The GAN of the "Customizing what happens in fit() with PyTorch" guide, scaled down: a Model
subclass with its own compile(d_optimizer, g_optimizer, loss_fn), a train_step training the
discriminator then the generator with two optimizers, and loss trackers as metrics. The guide's
random latent vectors are replaced by a deterministic function of the batch (no randomness)."""
import json

import keras
import numpy as np
import torch
from keras import layers, ops

latent_dim = 4

discriminator = keras.Sequential(
    [
        keras.Input(shape=(6, 6, 1)),
        layers.Conv2D(4, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ],
    name="discriminator",
)
generator = keras.Sequential(
    [
        keras.Input(shape=(latent_dim,)),
        layers.Dense(3 * 3 * 4),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((3, 3, 4)),
        layers.Conv2DTranspose(4, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, (3, 3), padding="same", activation="sigmoid"),
    ],
    name="generator",
)
w_rng = np.random.default_rng(0)
for net in (discriminator, generator):
    net.set_weights([w_rng.normal(0, 0.2, w.shape).astype("float32") for w in net.get_weights()])


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def latent(self, real_images):
        # Deterministic stand-in for keras.random.normal: a fixed function of the batch.
        batch_size = real_images.shape[0]
        flat = ops.reshape(real_images, (batch_size, -1))
        return ops.stack([ops.mean(flat, axis=1) * (k + 1) - 0.5 * k for k in range(self.latent_dim)], axis=1)

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = real_images.shape[0]
        random_latent_vectors = self.latent(real_images)

        # Decode them to fake images
        generated_images = self.generator(random_latent_vectors)

        # Combine them with real images
        real_images = torch.as_tensor(real_images)
        combined_images = torch.concat([generated_images, real_images], axis=0)

        # Assemble labels discriminating real from fake images
        labels = torch.concat([torch.ones((batch_size, 1)), torch.zeros((batch_size, 1))], axis=0)

        # Train the discriminator
        self.zero_grad()
        predictions = self.discriminator(combined_images)
        d_loss = self.loss_fn(labels, predictions)
        d_loss.backward()
        grads = [v.value.grad for v in self.discriminator.trainable_weights]
        with torch.no_grad():
            self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

        # Assemble labels that say "all real images"
        misleading_labels = torch.zeros((batch_size, 1))

        # Train the generator (note that we should *not* update the weights of the discriminator)!
        self.zero_grad()
        predictions = self.discriminator(self.generator(random_latent_vectors))
        g_loss = self.loss_fn(misleading_labels, predictions)
        g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with torch.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)

        # Update metrics and return their value.
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


rng = np.random.default_rng(28)
real = rng.random(size=(32, 6, 6, 1)).astype("float32")

gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
gan.compile(
    d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
history = gan.fit(real, epochs=2, batch_size=8, shuffle=False, verbose=0)
fake = generator.predict(gan.latent(ops.convert_to_tensor(real[:4])), verbose=0)

print("RESULT " + json.dumps({
    "d_loss": float(history.history["d_loss"][-1]),
    "g_loss": float(history.history["g_loss"][-1]),
    "first_d_loss": float(history.history["d_loss"][0]),
    "fake_sum": float(fake.sum()),
    "d_kernel_sum": float(discriminator.layers[0].get_weights()[0].sum()),
    "d_iterations": float(ops.convert_to_numpy(gan.d_optimizer.iterations)),
}))
