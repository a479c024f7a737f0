"""The one trainer: a step, and a checkpoint that resumes to the same numbers under the same config only."""

import torch

from decoder_head.train.trainer import OptimConfig, Trainer


def model_and_data():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 1))
    return model, torch.randn(16, 4), torch.randn(16, 1)


def train(trainer, model, x, y, steps):
    model.train()
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(trainer.forward(x), y)  # dropout draws from the RNG
        trainer.step(loss, lr=0.01)


def test_save_then_resume_continues_with_the_same_numbers(tmp_path):
    model, x, y = model_and_data()
    straight = Trainer(model, list(model.parameters()), OptimConfig(clip=1.0))
    train(straight, model, x, y, 6)
    expected = [p.detach().clone() for p in model.parameters()]

    model, x, y = model_and_data()
    first = Trainer(model, list(model.parameters()), OptimConfig(clip=1.0), ckpt_dir=tmp_path, fingerprint={"a": 1})
    train(first, model, x, y, 3)
    first.save({"step": 3})
    torch.manual_seed(123)  # whatever happens in between: the RNG comes back from the checkpoint

    model, x, y = model_and_data()
    second = Trainer(model, list(model.parameters()), OptimConfig(clip=1.0), ckpt_dir=tmp_path, fingerprint={"a": 1})
    assert second.resume()["step"] == 3
    train(second, model, x, y, 3)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), expected))


def test_a_checkpoint_of_another_config_is_not_resumed(tmp_path, capsys):
    model, x, y = model_and_data()
    Trainer(model, list(model.parameters()), OptimConfig(), ckpt_dir=tmp_path, fingerprint={"a": 1}).save({})
    other = Trainer(model, list(model.parameters()), OptimConfig(), ckpt_dir=tmp_path, fingerprint={"a": 2})
    assert other.resume() is None
    assert "another config" in capsys.readouterr().out


def test_the_hook_runs_between_backward_and_the_update():
    model, x, y = model_and_data()
    trainer = Trainer(model, list(model.parameters()), OptimConfig())
    before = model[0].weight.detach().clone()
    loss = torch.nn.functional.mse_loss(trainer.forward(x), y)
    trainer.step(loss, lr=0.1, after_backward=lambda: model[0].weight.grad.zero_())
    assert torch.equal(model[0].weight, before)  # its gradient was zeroed: Adam leaves it
    assert not torch.equal(model[2].weight.grad, torch.zeros_like(model[2].weight))
